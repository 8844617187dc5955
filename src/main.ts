import { mount } from 'svelte';
import App from './ui/App.svelte';
import { locale } from './i18n/index.ts';
import './ui/app.css';

document.documentElement.lang = locale();
mount(App, { target: document.getElementById('app')! });
